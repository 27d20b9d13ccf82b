// CSV, JSON and self-contained HTML reports (see report.h).
#include "sweep/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "sweep/pareto.h"

namespace tessera::sweep {

using json = nlohmann::ordered_json;

namespace {

std::string esc(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : c == '"' ? "&quot;" : std::string(1, c);
  return o;
}

std::string num(double v, int digits = 0) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::string csv_field(const json& v) {
  if (v.is_null()) return "";
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n") != std::string::npos) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  }
  return s;
}

json area_of(const json& p, const char* k) {
  const json a = p.value("area", json());
  return a.is_object() && a.contains(k) ? a[k] : json();
}

// A scatter plot of every ok point (x: an area/SRAM figure, y: predicted cycles) with its 2-D front.
std::string scatter(const std::vector<json>& pts, const std::string& xobj, const std::string& xlabel,
                    std::vector<size_t>& front_out) {
  std::vector<std::pair<double, double>> xy;
  std::vector<size_t> who;
  for (size_t i = 0; i < pts.size(); ++i) {
    double x, y;
    if (objective_value(pts[i], xobj, x) && objective_value(pts[i], "latency", y)) xy.push_back({x, y}), who.push_back(i);
  }
  if (xy.empty()) return "<p>No points with " + esc(xlabel) + " figures.</p>";
  front_out = pareto_front(pts, {xobj, "latency"});
  const std::set<size_t> on_front(front_out.begin(), front_out.end());
  double x0 = 1e300, x1 = -1e300, y0 = 1e300, y1 = -1e300;
  for (auto [x, y] : xy) x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  const double W = 460, H = 300, L = 70, B = 40;
  const auto px = [&](double x) { return L + (x - x0) / (x1 - x0) * (W - L - 10); };
  const auto py = [&](double y) { return H - B - (std::log(y) - std::log(y0)) / (std::log(y1) - std::log(y0) + 1e-12) * (H - B - 10); };
  std::ostringstream s;
  s << "<svg xmlns='http://www.w3.org/2000/svg' class='plot' width='" << W << "' height='" << H << "' viewBox='0 0 " << W << " "
    << H << "'><rect width='100%' height='100%' fill='white'/>";
  s << "<line x1='" << L << "' y1='" << H - B << "' x2='" << W - 10 << "' y2='" << H - B << "' stroke='black'/>";
  s << "<line x1='" << L << "' y1='10' x2='" << L << "' y2='" << H - B << "' stroke='black'/>";
  s << "<text x='" << (W + L) / 2 << "' y='" << H - 8 << "' text-anchor='middle' font-size='12'>" << esc(xlabel) << "</text>";
  s << "<text x='14' y='" << (H - B) / 2 << "' font-size='12' transform='rotate(-90 14 " << (H - B) / 2
    << ")' text-anchor='middle'>predicted cycles (log)</text>";
  for (int t = 0; t <= 4; ++t) {
    const double xv = x0 + (x1 - x0) * t / 4, yv = std::exp(std::log(y0) + (std::log(y1) - std::log(y0)) * t / 4);
    s << "<text x='" << px(xv) << "' y='" << H - B + 14 << "' font-size='10' text-anchor='middle'>" << num(xv) << "</text>";
    s << "<text x='" << L - 4 << "' y='" << py(yv) + 3 << "' font-size='10' text-anchor='end'>" << num(yv) << "</text>";
  }
  for (size_t k = 0; k < xy.size(); ++k)
    if (!on_front.count(who[k]))
      s << "<circle cx='" << px(xy[k].first) << "' cy='" << py(xy[k].second) << "' r='2' fill='#9ab'><title>"
        << esc(pts[who[k]].value("id", "")) << "</title></circle>";
  std::vector<std::pair<double, double>> fr;
  for (size_t i : front_out) {
    double x, y;
    objective_value(pts[i], xobj, x), objective_value(pts[i], "latency", y);
    fr.push_back({x, y});
    s << "<circle class='front' cx='" << px(x) << "' cy='" << py(y) << "' r='4' fill='#d22'><title>" << esc(pts[i].value("id", ""))
      << " " << esc(pts[i].value("gemm", "")) << ": " << num(y) << " cycles, " << num(x) << "</title></circle>";
  }
  std::sort(fr.begin(), fr.end());
  s << "<polyline fill='none' stroke='#d22' points='";
  for (auto [x, y] : fr) s << px(x) << "," << py(y) << " ";
  s << "'/></svg>";
  return s.str();
}

// Per-layer utilization bars and roofline bounds of one point.
std::string layer_plot(const json& p) {
  std::ostringstream s;
  for (const json& w : p.value("workloads", json::array())) {
    const json layers = w.value("layers", json::array());
    if (layers.empty()) continue;
    const double W = 900, bar = 16, H = 30 + bar * double(layers.size());
    double maxc = 1;
    for (const json& l : layers) maxc = std::max({maxc, l.value("cycles", 0.0), l.value("memory_bound", 0.0)});
    s << "<p>" << esc(p.value("id", "")) << " (" << esc(p.value("gemm", "")) << "), " << esc(w.value("name", ""))
      << ": per layer predicted cycles (bar), compute bound (|) and memory bound (:); label: MAC utilization</p>";
    s << "<svg xmlns='http://www.w3.org/2000/svg' class='layers' width='" << W << "' height='" << H << "'>";
    for (size_t i = 0; i < layers.size(); ++i) {
      const json& l = layers[i];
      const double y = 10 + bar * double(i), scale = (W - 420) / maxc;
      std::string name = l.value("name", "");
      if (name.size() > 40) name = "..." + name.substr(name.size() - 37);
      s << "<text x='0' y='" << y + 11 << "' font-size='10'>" << esc(name) << "</text>";
      s << "<rect x='260' y='" << y + 2 << "' width='" << l.value("cycles", 0.0) * scale << "' height='" << bar - 4
        << "' fill='#48c'/>";
      s << "<line x1='" << 260 + l.value("compute_bound", 0.0) * scale << "' x2='" << 260 + l.value("compute_bound", 0.0) * scale
        << "' y1='" << y << "' y2='" << y + bar << "' stroke='black'/>";
      s << "<line x1='" << 260 + l.value("memory_bound", 0.0) * scale << "' x2='" << 260 + l.value("memory_bound", 0.0) * scale
        << "' y1='" << y << "' y2='" << y + bar << "' stroke='#c40' stroke-dasharray='2,2'/>";
      s << "<text x='" << W - 150 << "' y='" << y + 11 << "' font-size='10'>" << num(100 * l.value("util", 0.0), 1) << "% ("
        << num(l.value("cycles", 0.0)) << ")</text>";
    }
    s << "</svg>";
  }
  return s.str();
}

}  // namespace

ReportSummary write_reports(const std::string& dir, const std::string& title, const std::vector<std::string>& objectives,
                            const std::vector<json>& points) {
  ReportSummary sum;
  sum.points = points.size();
  std::vector<std::string> fields;  // swept fields, in first-seen order
  for (const json& p : points) {
    sum.ok += p.value("status", "") == "ok";
    const json values = p.value("values", json::object());
    for (auto it = values.begin(); it != values.end(); ++it)
      if (std::find(fields.begin(), fields.end(), it.key()) == fields.end()) fields.push_back(it.key());
  }
  const std::vector<size_t> front = pareto_front(points, objectives);
  sum.front = front.size();
  const std::set<size_t> on_front(front.begin(), front.end());

  // CSV
  {
    std::ofstream f(dir + "/results.csv");
    f << "id,index,status";
    for (const auto& k : fields) f << "," << k;
    f << ",gemm,cycles,latency_us,throughput,util,macs,dram_bytes,sram_bytes,luts,ffs,dsp48e1,bram36,pareto,reason\n";
    for (size_t i = 0; i < points.size(); ++i) {
      const json& p = points[i];
      f << csv_field(p.value("id", json())) << "," << csv_field(p.value("index", json())) << "," << csv_field(p.value("status", json()));
      for (const auto& k : fields) f << "," << csv_field(p.value("values", json::object()).value(k, json()));
      for (const char* k : {"gemm", "cycles", "latency_us", "throughput", "util", "macs", "dram_bytes", "sram_bytes"})
        f << "," << csv_field(p.value(k, json()));
      for (const char* k : {"luts", "ffs", "dsp48e1", "bram36"}) f << "," << csv_field(area_of(p, k));
      f << "," << (on_front.count(i) ? "1" : "0") << "," << csv_field(p.value("reason", json())) << "\n";
    }
  }
  // Plots (2-D fronts) and JSON
  std::vector<size_t> f_lut, f_dsp, f_bram, f_sram;
  const std::string p_lut = scatter(points, "lut", "LUTs (area model)", f_lut);
  const std::string p_dsp = scatter(points, "dsp", "DSP48E1 (area model)", f_dsp);
  const std::string p_bram = scatter(points, "bram", "RAMB36 equivalents (area model)", f_bram);
  const std::string p_sram = scatter(points, "sram_bytes", "SRAM bytes", f_sram);
  const auto ids = [&](const std::vector<size_t>& v) {
    json a = json::array();
    for (size_t i : v) a.push_back(points[i].value("id", ""));
    return a;
  };
  {
    json j = {{"objectives", objectives}, {"front", ids(front)},
              {"fronts_2d", {{"latency_vs_lut", ids(f_lut)}, {"latency_vs_dsp", ids(f_dsp)}, {"latency_vs_bram", ids(f_bram)},
                             {"latency_vs_sram_bytes", ids(f_sram)}}},
              {"points", json::array()}};
    for (size_t i : front) {
      json p = points[i];
      p.erase("workloads");
      j["points"].push_back(p);
    }
    std::ofstream(dir + "/pareto.json") << j.dump(1) << "\n";
  }
  // HTML
  std::ofstream h(dir + "/report.html");
  h << "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" << esc(title) << "</title><style>"
    << "body{font-family:sans-serif;margin:20px}table{border-collapse:collapse;font-size:12px}"
    << "th,td{border:1px solid #ccc;padding:2px 6px;text-align:right}th{cursor:pointer;background:#eee}"
    << "tr.front td{background:#fee}.plots svg{margin:4px;border:1px solid #ddd}</style></head><body>";
  h << "<h1>" << esc(title) << "</h1><p>" << sum.points << " points, " << sum.ok << " legal, " << sum.front
    << " on the Pareto front over";
  for (const auto& o : objectives) h << " " << esc(o);
  h << ". Cycles: the cost model with every layer's schedule searched; area: the fitted area model (docs/sweep.md).</p>";
  h << "<h2>Pareto fronts</h2><div class='plots'>" << p_lut << p_dsp << p_bram << p_sram << "</div>";
  h << "<h2>Per-layer utilization and roofline (front points)</h2>";
  for (size_t k = 0; k < front.size() && k < 3; ++k) h << layer_plot(points[front[k]]);
  h << "<h2>All points</h2><p>Click a column to sort.</p><table id='points'><thead><tr><th>id</th><th>status</th>";
  for (const auto& k : fields) h << "<th>" << esc(k) << "</th>";
  h << "<th>gemm</th><th>cycles</th><th>util %</th><th>DRAM bytes</th><th>SRAM bytes</th><th>LUT</th><th>FF</th><th>DSP</th>"
       "<th>BRAM36</th><th>front</th><th>reason</th></tr></thead><tbody>";
  for (size_t i = 0; i < points.size(); ++i) {
    const json& p = points[i];
    const auto cell = [&](const json& v, int digits = 0) {
      return "<td>" + (v.is_number() ? num(v.get<double>(), digits) : v.is_string() ? esc(v.get<std::string>()) : std::string()) + "</td>";
    };
    h << "<tr" << (on_front.count(i) ? " class='front'" : "") << ">" << cell(p.value("id", json())) << cell(p.value("status", json()));
    for (const auto& k : fields) h << cell(p.value("values", json::object()).value(k, json()), k == "clock_mhz" ? 1 : 0);
    h << cell(p.value("gemm", json())) << cell(p.value("cycles", json()))
      << cell(p.contains("util") ? json(100 * p.value("util", 0.0)) : json(), 1) << cell(p.value("dram_bytes", json()))
      << cell(p.value("sram_bytes", json())) << cell(area_of(p, "luts")) << cell(area_of(p, "ffs")) << cell(area_of(p, "dsp48e1"))
      << cell(area_of(p, "bram36")) << "<td>" << (on_front.count(i) ? "yes" : "") << "</td>" << cell(p.value("reason", json()))
      << "</tr>";
  }
  h << "</tbody></table><script>"
       "document.querySelectorAll('#points th').forEach(function(th,col){th.addEventListener('click',function(){"
       "var tb=document.querySelector('#points tbody'),rows=Array.from(tb.rows),asc=th.dataset.asc!=='1';"
       "document.querySelectorAll('#points th').forEach(function(t){delete t.dataset.asc});th.dataset.asc=asc?'1':'0';"
       "rows.sort(function(a,b){var x=a.cells[col].textContent,y=b.cells[col].textContent,nx=parseFloat(x),ny=parseFloat(y);"
       "var r=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return asc?r:-r});"
       "rows.forEach(function(r){tb.appendChild(r)});document.body.dataset.sorted=col+(asc?'a':'d');});});"
       "</script></body></html>\n";
  return sum;
}

}  // namespace tessera::sweep
