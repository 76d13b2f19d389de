/* referwell: charts for questionnaire trajectories, focus after partial updates. No inline
   script anywhere (the Content-Security-Policy forbids it): data comes from
   <script type="application/json"> elements. */
(function () {
  "use strict";

  var DAY = 86400000;
  var COLORS = {
    score: "#1f4e79",
    caseness: "#9a3412",
    improvement: "#166534",
    deterioration: "#b91c1c"
  };

  function dayNumber(iso) {
    return Math.round(Date.parse(iso + "T00:00:00Z") / DAY);
  }

  function isoDay(number) {
    return new Date(number * DAY).toISOString().slice(0, 10);
  }

  function drawChart(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.drawn) {
      return;
    }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var points = data.points.map(function (p) {
      return { x: dayNumber(p.date), y: p.total, marker: p.marker, change: p.change };
    });
    // A few days of margin, so the first and last points are not cut in half.
    var margin = Math.max(3, Math.round((points[points.length - 1].x - points[0].x) / 20));
    var first = points[0].x - margin;
    var last = points[points.length - 1].x + margin;
    var markers = function (kind) {
      return points.filter(function (p) { return p.marker === kind; });
    };
    canvas.dataset.drawn = "1";
    new Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          {
            label: data.instrument + " score",
            data: points,
            borderColor: COLORS.score,
            backgroundColor: COLORS.score,
            pointRadius: 4,
            tension: 0
          },
          {
            label: "Caseness (" + data.caseness_cutoff + ")",
            data: [{ x: first, y: data.caseness_cutoff }, { x: last, y: data.caseness_cutoff }],
            borderColor: COLORS.caseness,
            borderDash: [6, 4],
            borderWidth: 1.5,
            pointRadius: 0,
            pointHitRadius: 0
          },
          {
            label: "Reliable improvement",
            type: "scatter",
            data: markers("reliable_improvement"),
            borderColor: COLORS.improvement,
            backgroundColor: "rgba(22, 101, 52, 0.15)",
            pointStyle: "circle",
            pointRadius: 9,
            borderWidth: 2
          },
          {
            label: "Reliable deterioration",
            type: "scatter",
            data: markers("reliable_deterioration"),
            borderColor: COLORS.deterioration,
            backgroundColor: "rgba(185, 28, 28, 0.15)",
            pointStyle: "triangle",
            pointRadius: 10,
            borderWidth: 2
          }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        scales: {
          x: {
            type: "linear",
            min: first,
            max: last,
            ticks: {
              callback: function (value) { return isoDay(Math.round(value)); },
              maxTicksLimit: 6
            }
          },
          y: { min: 0, max: data.total_max, title: { display: true, text: "Total score" } }
        },
        plugins: {
          legend: {
            labels: {
              usePointStyle: true,
              boxHeight: 8,
              filter: function (item, chartData) {
                return chartData.datasets[item.datasetIndex].data.length > 0;
              }
            }
          },
          tooltip: {
            callbacks: {
              title: function (items) { return items.length ? isoDay(items[0].raw.x) : ""; }
            }
          }
        }
      }
    });
  }

  function drawCharts(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(drawChart);
  }

  function focusFirst(root) {
    var target = root.querySelector("[data-focus]") || root.querySelector("[aria-invalid='true']");
    if (target) {
      target.focus();
      if (target.scrollIntoView) {
        target.scrollIntoView({ block: "start" });
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    focusFirst(document);
  });

  document.addEventListener("htmx:beforeSwap", function () {
    if (typeof Chart !== "undefined") {
      Object.values(Chart.instances).forEach(function (chart) { chart.destroy(); });
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var root = document.getElementById("main") || document;
    drawCharts(root);
    focusFirst(root);
    if (event.detail && event.detail.elt && !root.querySelector("[data-focus]")) {
      root.focus();
    }
  });
})();
