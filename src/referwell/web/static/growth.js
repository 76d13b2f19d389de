/* referwell: the charts of the clinician's own growth pages (ethics practice retention, the
   ProQOL check-in trend). Each <canvas data-growth-chart="ID"> reads the JSON element ID:
     {"labels": [...], "y_max": N, "y_title": "...", "percent": bool,
      "series": [{"label": "...", "data": [number or null, ...]}],
      "lines": [{"label": "...", "value": N}]}
   Series are drawn as lines with points; "lines" as dashed reference lines across the chart
   (the ProQOL's cut scores). No inline script: the Content-Security-Policy forbids it. */
(function () {
  "use strict";

  // Dark enough on white for the 3:1 that graphics need, and told apart by shape as well.
  var SERIES = [
    { color: "#1f4e79", point: "circle" },
    { color: "#9a3412", point: "triangle" },
    { color: "#5b21b6", point: "rect" }
  ];
  var LINE = "#4b5563";

  function drawGrowthChart(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.drawn) {
      return;
    }
    var source = document.getElementById(canvas.dataset.growthChart);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.labels.length) {
      return;
    }
    canvas.dataset.drawn = "1";
    var datasets = data.series.map(function (series, index) {
      var style = SERIES[index % SERIES.length];
      return {
        label: series.label,
        data: series.data,
        borderColor: style.color,
        backgroundColor: style.color,
        pointStyle: style.point,
        pointRadius: 5,
        spanGaps: true,
        tension: 0,
        // A point at the top of the scale (100 %, a sum of 50) is drawn whole, not cut off.
        clip: 8
      };
    });
    (data.lines || []).forEach(function (line) {
      datasets.push({
        label: line.label,
        data: data.labels.map(function () { return line.value; }),
        borderColor: LINE,
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0,
        pointHitRadius: 0
      });
    });
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { autoSkip: true, maxRotation: 0, minRotation: 0 } },
          y: {
            min: data.y_min || 0,
            max: data.y_max,
            title: { display: Boolean(data.y_title), text: data.y_title || "" },
            ticks: {
              callback: function (value) { return data.percent ? value + " %" : value; }
            }
          }
        },
        plugins: {
          legend: { labels: { usePointStyle: true, boxHeight: 8 } },
          tooltip: {
            callbacks: {
              label: function (item) {
                var value = item.raw === null ? "none" : item.raw;
                return item.dataset.label + ": " + value + (data.percent && item.raw !== null ? " %" : "");
              }
            }
          }
        }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-growth-chart]").forEach(drawGrowthChart);
  });
})();
