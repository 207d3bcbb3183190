/* Loads the scripts named in this tag's data-load (space-separated URLs), in that order,
   without holding up the page: the text is readable and the page usable while a chart
   library (ECharts, 1.1 MB) still arrives over a slow phone connection.
   <script src=".../later.js" data-load="echarts.min.js card.js" defer></script> */
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !me.dataset.load) return;
  me.dataset.load.split(/\s+/).forEach(function (url) {
    if (!url) return;
    var script = document.createElement("script");
    script.src = url;
    script.async = false; // in the listed order, after the page is parsed
    document.head.appendChild(script);
  });
})();
