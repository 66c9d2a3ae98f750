// The filter form (web/product_list.html): an answer of 400 (invalid filters, e.g. a minimum
// price above the maximum) carries the explanation for the results and the form's error slot;
// htmx drops 4xx answers by default, which left the shopper with no word of what was wrong.
document.addEventListener("htmx:beforeSwap", function (event) {
  var source = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (event.detail.xhr.status === 400 && source && source.closest && source.closest("#catalog")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
