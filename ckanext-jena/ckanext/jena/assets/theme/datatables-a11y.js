/* The table preview (ckanext-datatablesview) made accessible: its column
   filters get a label naming their column, KeyTable's invisible keyboard
   field a label of its own, and the invisible frame that
   DataTables' scrollResize plugin uses to notice size changes is hidden from
   assistive technology. DataTables builds both after load, so we watch. */
(function () {
  'use strict';
  var german = (document.documentElement.lang || '').indexOf('de') === 0;
  var label = german ? 'Spalte filtern: ' : 'Filter column: ';
  var keysLabel = german ? 'Tabelle mit der Tastatur bedienen' : 'Operate the table with the keyboard';
  var frameTitle = german ? 'Hilfsrahmen der Tabelle (ohne Inhalt)' : 'Helper frame of the table (no content)';
  function mend(root) {
    root.querySelectorAll('input.fhead:not([aria-label])').forEach(function (input) {
      // the column's name from the header row above the filters, else from the input's id
      var th = input.closest('th, td');
      var head = th && th.closest('thead');
      var cell = head && head.rows[0] !== th.parentElement ? head.rows[0].cells[th.cellIndex] : null;
      var name = cell ? cell.textContent.trim() : '';
      if (!name && input.id) { name = input.id.replace(/^dtcol-/, '').replace(/-\d+$/, ''); }
      input.setAttribute('aria-label', label + name);
    });
    // DataTables' KeyTable catches the keyboard in an invisible text field of its own
    root.querySelectorAll('input:not([aria-label]):not([id])').forEach(function (input) {
      if (!input.closest('label')) { input.setAttribute('aria-label', keysLabel); }
    });
    root.querySelectorAll('iframe:not([title])').forEach(function (frame) {
      frame.setAttribute('title', frameTitle);
      frame.setAttribute('aria-hidden', 'true');
      frame.setAttribute('tabindex', '-1');
    });
  }
  new MutationObserver(function () { mend(document); })
    .observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener('DOMContentLoaded', function () { mend(document); });
}());
