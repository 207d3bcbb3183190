// The report card's charts: pillars against the level's median and best, and the trend.
(function () {
  "use strict";
  var source = document.getElementById("card-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  // The decimal point of the page's language: "," in Vietnamese, "." in English.
  var point = (document.documentElement.lang || "vi").indexOf("en") === 0 ? "." : ",";
  var comma = function (v) { return v === null || v === undefined ? "—" : v.toFixed(4).replace(".", point); };

  var pillars = document.getElementById("pillar-chart");
  if (pillars) {
    var chart = echarts.init(pillars, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: comma },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 48, containLabel: true },
      xAxis: { type: "category", data: data.pillars, axisLabel: { interval: 0, width: 90, overflow: "break" } },
      yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: comma } },
      series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.values }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var trend = document.getElementById("trend-chart");
  if (trend) {
    var line = echarts.init(trend, null, { renderer: "svg" });
    line.setOption({
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: comma },
      grid: { left: 8, right: 16, bottom: 8, top: 16, containLabel: true },
      xAxis: { type: "category", data: data.trend.periods },
      yAxis: { type: "value", min: 0, max: 1, axisLabel: { formatter: comma } },
      series: [{ name: data.trend.name, type: "line", data: data.trend.values }]
    });
    window.addEventListener("resize", function () { line.resize(); });
  }
})();
