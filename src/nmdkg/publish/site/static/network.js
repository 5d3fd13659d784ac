// The network explorer: vis-network (copied from the installed pyvis package), fixed positions computed
// by the build, nodes coloured by community; a click opens the disorder's page.
(function () {
  "use strict";
  var data = window.NMDKG_NETWORK;
  var box = document.getElementById("network");
  if (!data || !box || !window.vis) { return; }
  var nodes = data.nodes.map(function (n) {
    return {
      id: n.id, label: n.article ? n.label : undefined, title: n.label + (n.community ? " (community " + n.community + ")" : ""),
      x: n.x, y: n.y, url: n.url, shape: "dot", size: n.article ? 14 : 6,
      color: { background: n.color, border: n.article ? "#000000" : n.color },
      borderWidth: n.article ? 3 : 1, font: { size: 18, strokeWidth: 3 }
    };
  });
  var edges = data.edges.map(function (e) {
    return { from: e[0], to: e[1], value: e[2], color: { color: "#bbbbbb", opacity: 0.4 } };
  });
  var network = new vis.Network(box, { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }, {
    physics: false, interaction: { hover: true, tooltipDelay: 100 },
    edges: { smooth: false, scaling: { min: 0.5, max: 3 } }
  });
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  network.on("click", function (params) {
    if (params.nodes.length && byId[params.nodes[0]].url) { window.location.href = byId[params.nodes[0]].url; }
  });
})();
