// The rankings page's interval chart: each unit's 5th-95th percentile rank as a bar
// (an invisible bar up to p05 stacked under a visible one to p95), the published rank
// as a dot. Data comes from the page (json_script "interval-data").
(function () {
  "use strict";
  var source = document.getElementById("interval-data");
  var box = document.getElementById("interval-chart");
  if (!source || !box || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  if (!data.names || !data.names.length) return;
  box.style.height = (data.names.length * 22 + 60) + "px";
  // The decimal point of the page's language: "," in Vietnamese, "." in English.
  var point = (document.documentElement.lang || "vi").indexOf("en") === 0 ? "." : ",";
  var comma = function (v) { return v === null || v === undefined ? "—" : String(Math.round(v * 10) / 10).replace(".", point); };
  // Unit names come from the database: the tooltip is HTML, so they are escaped.
  var esc = function (t) { return String(t).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); };
  var chart = echarts.init(box, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: function (items) {
        var i = items[0].dataIndex;
        return esc(data.names[i]) + "<br>" + esc(data.labels.range) + ": " + comma(data.p05[i]) + "–" + comma(data.p95[i]) +
          "<br>" + esc(data.labels.median) + ": " + comma(data.median[i]) + "<br>" + esc(data.labels.rank) + ": " + data.rank[i];
      }
    },
    grid: { left: 8, right: 16, bottom: 8, top: 24, containLabel: true },
    xAxis: { type: "value", min: 0, minInterval: 1, position: "top", name: data.labels.rank },
    yAxis: { type: "category", inverse: true, data: data.names, axisLabel: { width: 110, overflow: "truncate" } },
    series: [
      { type: "bar", stack: "range", silent: true, itemStyle: { color: "transparent" },
        // A zero-width interval is drawn as a short bar centred on its rank.
        data: data.p05.map(function (v, i) { return data.p95[i] - v < 0.2 ? v - 0.1 : v; }) },
      { name: data.labels.range, type: "bar", stack: "range", barWidth: 10, itemStyle: { color: "#7aa6d6" },
        data: data.p95.map(function (v, i) { return Math.max(v - data.p05[i], 0.2); }) },
      { name: data.labels.rank, type: "scatter", symbolSize: 8, itemStyle: { color: "#1d3f66" },
        data: data.rank }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
