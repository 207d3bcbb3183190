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
    var years = p.history.map(function (y) { return y.year; });
    if (p.target_year && years.indexOf(p.target_year) < 0) years.push(p.target_year);
    years.sort();
    var at = function (year, v) { return years.map(function (y) { return y === year ? v : null; }); };
    var pc = chart("dti-chart");
    var series = [
      { name: p.labels.value, type: "line", yAxisIndex: 0, connectNulls: true, symbolSize: 8,
        data: years.map(function (year) {
          var found = p.history.filter(function (y) { return y.year === year; })[0];
          return found ? found.value : null;
        }),
        label: { show: true, formatter: function (x) { return four(x.value); } } }
    ];
    // Ranks out of 63 and out of 34 are not alike: each run is a line of its own.
    var shapes = ["circle", "diamond", "triangle"];
    p.ranks.forEach(function (group, i) {
      var data = years.map(function (year) {
        var found = group.points.filter(function (x) { return x.year === year; })[0];
        return found ? found.rank : null;
      });
      series.push({ name: group.label, type: "line", yAxisIndex: 1, symbolSize: 9, symbol: shapes[i % 3],
        lineStyle: { type: "dashed" }, connectNulls: false, data: data, label: { show: true, position: "bottom" } });
    });
    // The target is a rank: drawn on the rank axis, at its year.
    if (p.target_rank && p.target_year) series.push({
      name: p.labels.target + " ≤ " + p.target_rank, type: "scatter", yAxisIndex: 1, symbol: "pin", symbolSize: 22,
      itemStyle: { color: "#c53030" }, data: at(p.target_year, p.target_rank)
    });
    var worst = p.ranks.reduce(function (m, g) {
      return Math.max(m, Math.max.apply(null, g.points.map(function (x) { return x.rank; })));
    }, p.target_rank || 1);
    if (pc) pc.setOption({
      grid: { left: 50, right: 45, top: 60, bottom: 30 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: years.map(String) },
      yAxis: [
        { type: "value", min: 0, max: 1, name: p.labels.value, axisLabel: { formatter: function (v) { return one(v); } } },
        { type: "value", inverse: true, min: 1, name: p.labels.rank, minInterval: 1, max: worst + 2 }
      ],
      series: series
    });
  }
})();
