// tessera_gen: writes the per-config SV packages and register header, and the generated docs.
#include <cstdio>
#include <exception>
#include <map>
#include <string>

#include "isa/config.h"
#include "isa/gen/generated_file.h"
#include "isa/gen/hw_packages.h"

namespace {

const char* kUsage =
    "usage: tessera_gen sv --config CONFIG.json --out DIR\n"
    "  sv    write tessera_{params,isa,regs}_pkg.sv and tessera_regs.h for one config\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Parses "--key value" pairs; every key in `required` must be given, nothing else is accepted.
std::map<std::string, std::string> options(int argc, char** argv, std::initializer_list<const char*> required) {
  std::map<std::string, std::string> opts;
  for (int i = 2; i < argc; i += 2) {
    const std::string key = argv[i];
    bool known = false;
    for (const char* r : required) known |= key == std::string("--") + r;
    if (!known) throw UsageError("unknown option '" + key + "'");
    if (i + 1 >= argc) throw UsageError("option '" + key + "' needs a value");
    opts[key.substr(2)] = argv[i + 1];
  }
  for (const char* r : required)
    if (!opts.count(r)) throw UsageError(std::string("missing option --") + r);
  return opts;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tessera;
  try {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "sv") {
      auto o = options(argc, argv, {"config", "out"});
      gen::write_files(o["out"], gen::hw_packages(load_derived(o["config"])));
    } else {
      throw UsageError(cmd.empty() ? "missing command" : "unknown command '" + cmd + "'");
    }
  } catch (const UsageError& e) {
    std::fprintf(stderr, "tessera_gen: %s\n%s", e.what(), kUsage);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera_gen: %s\n", e.what());
    return 1;
  }
  return 0;
}
