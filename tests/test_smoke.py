def test_home_renders(client, catalog):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Organic Cotton Tee" in response.content
