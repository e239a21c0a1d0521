
$(document).ready(function() {
    $(document).ajaxComplete(
        function (event, request, options) {
            if (request.responseText === {sentinel}) {
                window.location.href = {login_url};
            }
        }
    )
});
