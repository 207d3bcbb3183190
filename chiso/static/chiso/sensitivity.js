// The "Độ nhạy" page's bar chart: per pillar, the first-order and total Sobol'
// indices of the ranks. Data comes from the page (json_script "sensitivity-data").
(function () {
  "use strict";
  var source = document.getElementById("sensitivity-data");
  var box = document.getElementById("sensitivity-chart");
  if (!source || !box || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  if (!data.pillars || !data.pillars.length) return;
  // The decimal point of the page's language: "," in Vietnamese, "." in English.
  var point = (document.documentElement.lang || "vi").indexOf("en") === 0 ? "." : ",";
  var comma = function (v) { return v === null || v === undefined ? "—" : v.toFixed(2).replace(".", point); };
  // Pillar titles come from the framework: the tooltip is HTML, so they are escaped.
  var esc = function (t) { return String(t).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); };
  var chart = echarts.init(box, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: function (items) {
        var i = items[0].dataIndex;
        return esc(data.pillars[i]) + " · " + esc(data.titles[i]) + "<br>" + esc(data.labels.first) + ": " +
          comma(data.first[i]) + "<br>" + esc(data.labels.total) + ": " + comma(data.total[i]);
      }
    },
    legend: { top: 0, data: [data.labels.first, data.labels.total] },
    grid: { left: 8, right: 16, bottom: 8, top: 36, containLabel: true },
    xAxis: { type: "category", data: data.pillars },
    yAxis: { type: "value", min: function (v) { return Math.min(0, v.min); }, max: function (v) { return Math.max(1, v.max); },
      axisLabel: { formatter: function (v) { return comma(v); } } },
    series: [
      { name: data.labels.first, type: "bar", itemStyle: { color: "#7aa6d6" }, data: data.first },
      { name: data.labels.total, type: "bar", itemStyle: { color: "#1d3f66" }, data: data.total }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
