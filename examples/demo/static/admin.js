// GET /admin/api/stats with fetch(): guarded by the admin area's own login.
document.getElementById('call').onclick = function () {
  fetch('/admin/api/stats')
    .then(jsonOrError)
    .then(function (d) { show('admin: hello ' + d.admin + ', call ' + d.call); })
    .catch(function (e) { show('admin call failed: ' + e.message); });
};
