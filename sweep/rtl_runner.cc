// tessera_sweep_rtl_runner: verifies one sweep point on an on-demand Verilator model (a shared library
// from sweep/heavy.cc's build_rtl_model). `tessera sweep --verify` runs it as a subprocess for points
// whose config has no model compiled into the tessera binary:
//
//   tessera_sweep_rtl_runner --model BUILD/sweep/rtl/<key>/model.so SPEC.json POINT.json OUT.json
//
// It compiles the point's network workloads, runs them on the fsim and on the loaded model, and writes
// verify_point's JSON (without synthesis) to OUT.json. This program defines rtl_model_entries() itself, so the
// models built into tessera_rtl are not linked: its only RTL model is the loaded one.
#include <dlfcn.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "isa/text_file.h"
#include "sim/rtl/model.h"
#include "sweep/spec.h"
#include "sweep/verify.h"

namespace {

tessera::RtlModel* (*g_make)() = nullptr;
std::string g_config;

std::unique_ptr<tessera::RtlModel> make_loaded() { return std::unique_ptr<tessera::RtlModel>(g_make()); }

}  // namespace

namespace tessera {
const std::vector<RtlModelEntry>& rtl_model_entries() {
  static const std::vector<RtlModelEntry> entries = [] {
    std::vector<RtlModelEntry> e;
    if (g_make) e.push_back({"on-demand", g_config.c_str(), &make_loaded});
    return e;
  }();
  return entries;
}
}  // namespace tessera

int main(int argc, char** argv) {
  if (argc != 6 || std::strcmp(argv[1], "--model") != 0) {
    std::fprintf(stderr, "usage: %s --model MODEL.so SPEC.json POINT.json OUT.json\n", argv[0]);
    return 2;
  }
  try {
    void* h = ::dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
    if (!h) throw std::runtime_error(std::string("cannot load the model: ") + ::dlerror());
    g_make = reinterpret_cast<tessera::RtlModel* (*)()>(::dlsym(h, "tessera_sweep_make_model"));
    const auto config = reinterpret_cast<const char* (*)()>(::dlsym(h, "tessera_sweep_model_config"));
    if (!g_make || !config) throw std::runtime_error(std::string(argv[2]) + ": not a tessera sweep model library");
    g_config = config();
    const tessera::sweep::Spec spec = tessera::sweep::load_spec(argv[3]);
    const auto text = tessera::read_text_file(argv[4]);
    if (!text) throw std::runtime_error(std::string("cannot read ") + argv[4]);
    const nlohmann::ordered_json point = nlohmann::ordered_json::parse(*text);
    tessera::sweep::VerifyOptions opt;
    opt.build_models = false, opt.synthesize = false;
    const nlohmann::ordered_json r = tessera::sweep::verify_point(spec, point, opt);
    std::ofstream out(std::string(argv[5]) + ".tmp");
    out << r.dump() << "\n";
    out.close();
    if (!out || std::rename((std::string(argv[5]) + ".tmp").c_str(), argv[5]) != 0)
      throw std::runtime_error(std::string("cannot write ") + argv[5]);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera_sweep_rtl_runner: %s\n", e.what());
    return 1;
  }
}
