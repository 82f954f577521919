/* German slugs in the dataset form's URL preview (issue 13).
 *
 * CKAN's slug preview (jquery.slug.js) calls jQuery.url.slugify, whose
 * table maps ä to a and ß to b: "Straßenbäume" became "strabenbaume". Before
 * CKAN's table is applied, German letters are transliterated as German does
 * (ä→ae, ö→oe, ü→ue, ß→ss), the same as the server's names.name_from_title.
 */
(function ($) {
  'use strict';
  if (!$ || !$.url || !$.url.slugify || $.url.slugify.jenaGerman) {
    return;
  }
  var GERMAN = {
    '\u00e4': 'ae', '\u00f6': 'oe', '\u00fc': 'ue', '\u00df': 'ss',
    '\u00c4': 'Ae', '\u00d6': 'Oe', '\u00dc': 'Ue', '\u1e9e': 'SS'
  };
  var ckanSlugify = $.url.slugify;

  function germanSlugify(string, trim) {
    var german = String(string || '').replace(/[\u00e4\u00f6\u00fc\u00df\u00c4\u00d6\u00dc\u1e9e]/g,
      function (c) { return GERMAN[c]; });
    return ckanSlugify.call(this, german, trim);
  }
  germanSlugify.jenaGerman = true;
  $.url.slugify = germanSlugify;
})(this.jQuery);
