// Posts forms marked data-autosubmit as soon as the page is ready; the button stays as fallback.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
