/* Charts of the dashboard and the province page (ECharts from chiso's static files).
   Data comes from json_script elements; the page's tables carry the same figures. */
(function () {
  "use strict";
  var lang = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";
  function number(digits) {
    var f = new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    return function (v) { return v === null || v === undefined ? "–" : f.format(v); };
  }
  var four = number(4), one = number(1);

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var c = echarts.init(el, null, { renderer: "svg" });
    window.addEventListener("resize", function () { c.resize(); });
    return c;
  }

  var dash = document.getElementById("dashboard-data");
  if (dash) {
    var d = JSON.parse(dash.textContent);
    var h = d.histogram;
    var names = h.counts.map(function (_, i) { return one(h.edges[i]) + "–" + one(h.edges[i + 1]); });
    var c = chart("histogram");
    if (c) c.setOption({
      grid: { left: 40, right: 10, top: 20, bottom: 50 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " " + d.labels.units; } },
      xAxis: { type: "category", data: names, name: d.labels.value, nameLocation: "middle", nameGap: 35, axisLabel: { rotate: 45, fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1, name: d.labels.units },
      series: [{ type: "bar", data: h.counts, itemStyle: { color: "#2b6cb0" }, barCategoryGap: "5%" }]
    });
  }

  var prov = document.getElementById("province-data");
  if (prov) {
    var p = JSON.parse(prov.textContent);
    var years = p.history.map(function (y) { return String(y.year); });
    var pc = chart("dti-chart");
    var series = [
      { name: p.labels.value, type: "line", yAxisIndex: 0, connectNulls: true, symbolSize: 8,
        data: p.history.map(function (y) { return y.value; }), label: { show: true, formatter: function (x) { return four(x.value); } } },
      { name: p.labels.rank, type: "line", yAxisIndex: 1, symbolSize: 8, lineStyle: { type: "dashed" },
        data: p.history.map(function (y) { return y.rank; }), label: { show: true, position: "bottom" } }
    ];
    if (p.target_rank) series[1].markLine = {
      symbol: "none", label: { position: "insideEndTop", formatter: p.labels.target + " " + p.target_rank },
      data: [{ yAxis: p.target_rank }], lineStyle: { color: "#c53030" }
    };
    if (pc) pc.setOption({
      grid: { left: 50, right: 45, top: 40, bottom: 30 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: years },
      yAxis: [
        { type: "value", min: 0, max: 1, name: p.labels.value, axisLabel: { formatter: function (v) { return one(v); } } },
        { type: "value", inverse: true, min: 1, name: p.labels.rank, minInterval: 1,
          max: Math.max.apply(null, p.history.map(function (y) { return y.rank || 1; }).concat([p.target_rank || 1])) + 2 }
      ],
      series: series
    });
  }
})();
