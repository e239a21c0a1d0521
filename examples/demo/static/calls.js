// What the pages' calls share: showing how a call went in the page's
// <output id="result">, and reading a JSON answer (anything else is an error).
function show(text) {
  document.getElementById('result').textContent = text;
}
function jsonOrError(r) {
  return r.ok ? r.json() : r.text().then(function (t) { throw new Error(r.status + ' ' + t); });
}
