// Cached heavy steps of the sweep: synthesis and on-demand Verilator models (see heavy.h).
#include "sweep/heavy.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "isa/text_file.h"
#include "sweep/defaults.h"

namespace tessera::sweep {

using json = nlohmann::ordered_json;

namespace {

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

void mkdirs(const std::string& dir) {
  std::string cur;
  std::stringstream ss(dir);
  std::string part;
  if (!dir.empty() && dir[0] == '/') cur = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    cur += part + "/";
    ::mkdir(cur.c_str(), 0755);
  }
  if (!exists(dir)) throw std::runtime_error("cannot create directory " + dir);
}

std::string read_file(const std::string& path) { return read_text_file(path).value_or(""); }

void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp);
    f << text;
    if (!f) throw std::runtime_error("cannot write " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot write " + path);
}

// The last lines of a log, for error messages.
std::string tail(const std::string& log, int lines = 6) {
  const std::string t = read_file(log);
  size_t pos = t.size();
  for (int i = 0; i <= lines && pos > 0; ++i) {
    const size_t nl = t.rfind('\n', pos - 1);
    pos = nl == std::string::npos ? 0 : nl;
  }
  return t.substr(pos);
}

DerivedConfig derived_of(const json& config) { return derive(parse_config(config.dump(), "point config")); }

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// Holds an exclusive flock on a file while alive (nothing when the path is empty).
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    if (path.empty()) return;
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot open the lock file " + path);
    while (::flock(fd_, LOCK_EX) != 0)
      if (errno != EINTR) throw std::runtime_error("cannot lock " + path);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

HeavyPaths HeavyPaths::defaults() {
  HeavyPaths p;
  p.source_dir = default_source_dir();
  p.build_dir = default_build_dir();
  p.gen_tool = default_gen_tool();
  const char* lock = std::getenv("TESSERA_SWEEP_LOCK");
  p.lock = lock && *lock ? lock : p.build_dir + "/sweep/heavy.lock";
  return p;
}

int run_logged(const std::vector<std::string>& argv, const std::string& log, const std::string& lock) {
  FileLock held(lock);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) ::dup2(fd, 1), ::dup2(fd, 2);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 127;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string rtl_fingerprint(const std::string& source_dir) {
  static std::mutex mu;
  static std::map<std::string, std::string> memo;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = memo.find(source_dir); it != memo.end()) return it->second;
  uint64_t h = 1469598103934665603ull;  // FNV-1a over names and contents, in sorted order
  const auto mix = [&](const std::string& s) {
    for (const unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
    h = (h ^ 0xFF) * 1099511628211ull;
  };
  std::vector<std::string> files = {"isa/isa.def", "hw/regs.def", "scripts/synth.sh"};
  for (const char* sub : {"hw/rtl", "hw/prim"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(source_dir + "/" + sub, ec))
      files.push_back(std::string(sub) + "/" + e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    mix(f);
    mix(read_text_file(source_dir + "/" + f).value_or(""));
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return memo[source_dir] = hex;
}

std::string cache_key(const DerivedConfig& cfg, const HeavyPaths& p) { return cfg.hash_hex() + "-" + rtl_fingerprint(p.source_dir); }

std::string prepare_config_dir(const json& config, const std::string& cache, const HeavyPaths& p) {
  const DerivedConfig cfg = derived_of(config);
  const std::string dir = cache + "/" + cache_key(cfg, p);
  mkdirs(dir);
  if (!exists(dir + "/config.json")) write_file(dir + "/config.json", config.dump(2) + "\n");
  if (!exists(dir + "/gen/cfg/tessera_params_pkg.sv")) {
    mkdirs(dir + "/gen/cfg");
    if (run_logged({p.gen_tool, "sv", "--config", dir + "/config.json", "--out", dir + "/gen/cfg"}, dir + "/gen.log") != 0)
      throw std::runtime_error("tessera_gen failed for " + dir + "/config.json:" + tail(dir + "/gen.log"));
  }
  return dir;
}

namespace {

SynthRun read_synth(const std::string& dir) {
  SynthRun r;
  r.dir = dir;
  if (!exists(dir + "/area.json")) return r;
  const json a = json::parse(read_file(dir + "/area.json"));
  if (a.value("quick", false)) return r;  // DSP/BRAM only: not a full run
  r.ok = r.cached = true;
  r.figures = {a.at("luts").get<double>(), a.at("ffs").get<double>(), a.at("dsp48e1").get<double>(),
               a.at("ramb36e1").get<double>(), a.at("ramb18e1").get<double>()};
  r.seconds = a.value("yosys_seconds", 0.0);
  return r;
}

}  // namespace

SynthRun cached_synth(const DerivedConfig& cfg, const HeavyPaths& p) {
  return read_synth(p.build_dir + "/sweep/area/" + cache_key(cfg, p));
}

SynthRun synthesize(const json& config, const HeavyPaths& p) {
  SynthRun r;
  try {
    const std::string dir = prepare_config_dir(config, p.build_dir + "/sweep/area", p);
    r = read_synth(dir);
    if (r.ok) return r;
    r.dir = dir;
    const std::string name = config.value("name", std::string("cfg"));
    // synth.sh --config NAME --build B reads B/gen/NAME/*.sv: the packages made above.
    const int rc = run_logged({p.source_dir + "/scripts/synth.sh", "--config", "cfg", "--build", dir, "--name", name, "--out", dir},
                              dir + "/synth.log", p.lock);
    if (rc != 0) {
      r.error = "scripts/synth.sh exited with " + std::to_string(rc) + ":" + tail(dir + "/synth.log");
      ::unlink((dir + "/area.json").c_str());
      return r;
    }
    SynthRun done = read_synth(dir);
    done.cached = false;
    if (!done.ok) done.error = "no area.json after scripts/synth.sh in " + dir;
    return done;
  } catch (const std::exception& e) {
    r.error = e.what();
    return r;
  }
}

namespace {

// The on-demand model project: the verilated tessera_top of one config plus the harness's RtlModel
// adapter (sim/rtl/model_impl.h), as a shared library exporting a factory and the config's text.
std::string model_cmake(const HeavyPaths& p, const std::string& dir) {
  std::ostringstream c;
  c << "# Generated by tessera sweep (sweep/heavy.cc): the Verilator model of one config as a shared library.\n"
       "cmake_minimum_required(VERSION 3.16)\nproject(tessera_sweep_model C CXX)\nfind_package(verilator REQUIRED)\n"
       "set(CMAKE_CXX_STANDARD 17)\nset(CMAKE_POSITION_INDEPENDENT_CODE ON)\n"
       "set(CMAKE_CXX_VISIBILITY_PRESET hidden)\nset(CMAKE_C_VISIBILITY_PRESET hidden)\n"
       "add_library(model MODULE entry.cc \""
    << p.source_dir << "/sim/rtl/fst_to_vcd.cc\")\n"
    << "target_include_directories(model PRIVATE \"" << p.source_dir << "\")\n"
    << "target_compile_options(model PRIVATE -Wno-unused-parameter -Wno-unused-variable -march=native)\n"
       "target_link_options(model PRIVATE -Wl,--no-undefined)\n"
       "set_target_properties(model PROPERTIES PREFIX \"\" OUTPUT_NAME model)\n"
       "verilate(model SOURCES";
  for (const char* pkg : {"tessera_params_pkg.sv", "tessera_isa_pkg.sv", "tessera_regs_pkg.sv"}) c << " \"" << dir << "/gen/cfg/" << pkg << "\"";
  // The hand-written files in hw/CMakeLists.txt's order (what scripts/synth.sh reads too).
  std::istringstream hw(read_file(p.source_dir + "/hw/CMakeLists.txt"));
  std::string line;
  const std::string key = "{CMAKE_CURRENT_SOURCE_DIR}/";
  while (std::getline(hw, line)) {
    const size_t k = line.find(key);
    if (k == std::string::npos) continue;
    const std::string f = line.substr(k + key.size());
    if ((f.rfind("prim/", 0) == 0 || f.rfind("rtl/", 0) == 0) && f.size() > 3 && f.compare(f.size() - 3, 3, ".sv") == 0)
      c << " \"" << p.source_dir << "/hw/" << f << "\"";
  }
  c << " TOP_MODULE tessera_top PREFIX Vtessera_od TRACE_FST\n  VERILATOR_ARGS --x-assign fast --x-initial fast -Wno-fatal \"-I"
    << p.source_dir << "/hw/prim\" OPT_SLOW -O0)\n";
  return c.str();
}

std::string model_entry(const json& config) {
  return "// Generated by tessera sweep (sweep/heavy.cc): factory of the on-demand model.\n"
         "#include \"Vtessera_od.h\"\n#include \"sim/rtl/model_impl.h\"\n\n"
         "extern \"C\" __attribute__((visibility(\"default\"))) tessera::RtlModel* tessera_sweep_make_model() {\n"
         "  return new tessera::VerilatedTop<Vtessera_od>();\n}\n"
         "extern \"C\" __attribute__((visibility(\"default\"))) const char* tessera_sweep_model_config() {\n"
         "  return R\"tessera_json(" +
         config.dump() + ")tessera_json\";\n}\n";
}

}  // namespace

ModelBuild build_rtl_model(const json& config, const HeavyPaths& p) {
  ModelBuild b;
  try {
    const std::string dir = prepare_config_dir(config, p.build_dir + "/sweep/rtl", p);
    b.dir = dir, b.so = dir + "/model.so";
    if (exists(b.so)) {
      b.ok = b.cached = true;
      return b;
    }
    mkdirs(dir + "/src");
    write_file(dir + "/src/CMakeLists.txt", model_cmake(p, dir));
    write_file(dir + "/src/entry.cc", model_entry(config));
    const std::string log = dir + "/build.log";
    const double w0 = now();
    FileLock held(p.lock);  // configure and build as one heavy step
    const double t0 = now();
    b.lock_wait_seconds = t0 - w0;
    if (exists(b.so)) {     // another sweep built it while this one waited
      b.ok = b.cached = true;
      return b;
    }
    int rc = run_logged({"cmake", "-S", dir + "/src", "-B", dir + "/build", "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"}, log);
    if (rc == 0) rc = run_logged({"cmake", "--build", dir + "/build", "-j", "2"}, log);
    if (rc != 0) {
      b.error = "the model build failed (exit " + std::to_string(rc) + "), see " + log + ":" + tail(log);
      return b;
    }
    const std::string built = dir + "/build/model.so";
    if (run_logged({"cp", built, b.so + ".tmp"}, log) != 0 || ::rename((b.so + ".tmp").c_str(), b.so.c_str()) != 0) {
      b.error = "no " + built + " after the build";
      return b;
    }
    b.ok = true, b.seconds = now() - t0;
    write_file(dir + "/build_seconds", std::to_string(b.seconds) + "\n");
  } catch (const std::exception& e) {
    b.error = e.what();
  }
  return b;
}

std::string rtl_runner_path(const HeavyPaths& p) {
  const char* env = std::getenv("TESSERA_SWEEP_RTL_RUNNER");
  return env && *env ? env : p.build_dir + "/sweep/tessera_sweep_rtl_runner";
}

}  // namespace tessera::sweep
