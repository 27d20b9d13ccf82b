// Text, JUnit XML and Markdown renderings of a regression outcome.
#include "regress/report.h"

#include <cstdio>
#include <sstream>

namespace tessera::regress {
namespace {

std::string value_text(const nlohmann::ordered_json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    return s.size() > 28 ? s.substr(0, 25) + "..." : s;
  }
  return v.dump();
}

std::string pct_text(const Delta& d) {
  const MetricKind k = metric_kind(d.metric);
  if ((k != MetricKind::CYCLES && k != MetricKind::BYTES) || d.old_value.is_null() || d.new_value.is_null()) return "";
  char b[32];
  std::snprintf(b, sizeof b, "%+.2f%%", d.pct);
  return b;
}

std::string xml(const std::string& s) {
  std::string o;
  for (char c : s) switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += (unsigned char)c < 0x20 && c != '\n' && c != '\t' ? ' ' : c;
    }
  return o;
}

std::string md(const std::string& s) {
  std::string o;
  for (char c : s) o += c == '|' ? std::string("\\|") : std::string(1, c);
  return o;
}

}  // namespace

int Outcome::failures() const {
  int n = 0;
  for (const Verdict& v : verdicts) n += v.failed;
  for (const FigureCheck& f : figures) n += f.checked && !f.ok;
  return n;
}

std::string moved_table(const Outcome& o) {
  std::ostringstream os;
  char line[512];
  int moved = 0;
  for (const Verdict& v : o.verdicts) moved += int(v.moved.size());
  if (moved) {
    std::snprintf(line, sizeof line, "%-36s %-44s %14s %14s %9s  %s\n", "run", "metric", "old", "new", "delta", "status");
    os << line;
    for (const Verdict& v : o.verdicts)
      for (const Delta& d : v.moved) {
        std::snprintf(line, sizeof line, "%-36s %-44s %14s %14s %9s  %s\n", v.run.c_str(), d.metric.c_str(),
                      value_text(d.old_value).c_str(), value_text(d.new_value).c_str(), pct_text(d).c_str(),
                      status_name(d.status));
        os << line;
      }
  }
  int metrics_failed = 0;
  for (const Verdict& v : o.verdicts)
    if (v.failed) {
      ++metrics_failed;
      os << "FAIL " << v.run << ": " << v.failure << "\n";
    }
  for (const FigureCheck& f : o.figures) {
    if (!f.checked) continue;
    std::snprintf(line, sizeof line, "%s figure '%s': documented %.0f, measured %.0f (%+.2f%%, tolerance %.2f%%)\n",
                  f.ok ? "ok  " : "FAIL", f.figure.name.c_str(), f.figure.value, f.measured, f.pct, f.figure.tolerance_pct);
    os << line;
  }
  std::snprintf(line, sizeof line, "%s: %zu runs, %d moved metric(s), %d failure(s)%s, %.1f s\n", o.suite.c_str(),
                o.verdicts.size(), moved, o.failures(), o.update ? " (goldens rewritten)" : "", o.seconds);
  if (!moved && !metrics_failed) os << "nothing moved: every measured metric equals its golden\n";
  os << line;
  return os.str();
}

std::string junit_xml(const Outcome& o) {
  std::ostringstream os;
  int tests = int(o.verdicts.size());
  for (const FigureCheck& f : o.figures) tests += f.checked;
  char t[32];
  std::snprintf(t, sizeof t, "%.3f", o.seconds);
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tessera regress\" tests=\"" << tests
     << "\" failures=\"" << o.failures() << "\" time=\"" << t << "\">\n";
  os << "  <testsuite name=\"" << xml(o.suite) << "\" tests=\"" << tests << "\" failures=\"" << o.failures()
     << "\" errors=\"0\" time=\"" << t << "\">\n";
  for (const Verdict& v : o.verdicts) {
    const auto slash = v.run.find('/');
    std::snprintf(t, sizeof t, "%.3f", v.seconds);
    os << "    <testcase classname=\"regress." << xml(o.suite) << "." << xml(v.run.substr(0, slash)) << "\" name=\""
       << xml(v.run.substr(slash + 1)) << "\" time=\"" << t << "\">\n";
    std::string body;
    for (const Delta& d : v.moved)
      body += d.metric + ": " + value_text(d.old_value) + " -> " + value_text(d.new_value) + " " + pct_text(d) + " " +
              status_name(d.status) + "\n";
    if (v.failed) os << "      <failure message=\"" << xml(v.failure) << "\">" << xml(body) << "</failure>\n";
    else if (!body.empty()) os << "      <system-out>" << xml(body) << "</system-out>\n";
    os << "    </testcase>\n";
  }
  for (const FigureCheck& f : o.figures) {
    if (!f.checked) continue;
    os << "    <testcase classname=\"regress." << xml(o.suite) << ".figures\" name=\"" << xml(f.figure.name) << "\" time=\"0\">\n";
    if (!f.ok) {
      char m[200];
      std::snprintf(m, sizeof m, "documented %.0f, measured %.0f (%+.2f%%), tolerance %.2f%%", f.figure.value, f.measured,
                    f.pct, f.figure.tolerance_pct);
      os << "      <failure message=\"" << xml(m) << "\"/>\n";
    }
    os << "    </testcase>\n";
  }
  os << "  </testsuite>\n</testsuites>\n";
  return os.str();
}

std::string markdown(const Outcome& o) {
  std::ostringstream os;
  const int fails = o.failures();
  int moved = 0, improved = 0, worse = 0;
  for (const Verdict& v : o.verdicts)
    for (const Delta& d : v.moved) ++moved, improved += d.status == Status::IMPROVED, worse += d.status == Status::WORSE;
  os << "### tessera regress `" << o.suite << "`: " << (fails ? "❌ " + std::to_string(fails) + " failure(s)" : std::string("✅ pass"))
     << "\n\n" << o.verdicts.size() << " runs, " << moved << " metric(s) moved (" << improved << " improved, " << worse
     << " worse)" << (o.update ? ", goldens rewritten" : "") << ".\n\n";
  if (fails) {
    os << "**Failures**\n\n";
    for (const Verdict& v : o.verdicts)
      if (v.failed) os << "- `" << v.run << "`: " << md(v.failure) << "\n";
    for (const FigureCheck& f : o.figures)
      if (f.checked && !f.ok) os << "- figure *" << md(f.figure.name) << "*: documented " << f.figure.value << ", measured " << f.measured << "\n";
    os << "\n";
  }
  if (moved) {
    os << "| run | metric | old | new | delta | status |\n|---|---|---:|---:|---:|---|\n";
    for (const Verdict& v : o.verdicts)
      for (const Delta& d : v.moved)
        os << "| `" << v.run << "` | " << md(d.metric) << " | " << md(value_text(d.old_value)) << " | "
           << md(value_text(d.new_value)) << " | " << pct_text(d) << " | " << status_name(d.status) << " |\n";
  }
  return os.str();
}

}  // namespace tessera::regress
