// The review page, after a change: move the keyboard's focus to what happened (the change
// made, or why it was refused), so a screen reader reads it out and the next Tab continues
// from there.  Without JavaScript the message is still the first thing in the page.
(function () {
  var problem = document.getElementById("review-problem");
  var status = document.getElementById("review-status");
  var target = problem || (status && status.textContent.trim() ? status : null);
  if (target) target.focus();
})();
