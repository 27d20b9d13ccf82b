// tessera_gen: writes the per-config SV packages and register header, and the generated docs.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "isa/config.h"
#include "isa/gen/docs.h"
#include "isa/gen/generated_file.h"
#include "isa/gen/hw_packages.h"

namespace {

const char* kUsage =
    "usage: tessera_gen sv --config CONFIG.json --out DIR\n"
    "       tessera_gen docs --configs CONFIG_DIR --out DOCS_DIR\n"
    "  sv    write tessera_{params,isa,regs}_pkg.sv and tessera_regs.h for one config\n"
    "  docs  write isa.md, params.md and regs.md from the tables and every *.json in CONFIG_DIR\n";

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

// Every *.json in dir, derived, in file-name order (the docs list configs in this order).
std::vector<tessera::DerivedConfig> load_all(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  if (ec) throw std::runtime_error(dir + ": cannot list directory: " + ec.message());
  if (files.empty()) throw std::runtime_error(dir + ": no *.json config files");
  std::sort(files.begin(), files.end());
  std::vector<tessera::DerivedConfig> configs;
  for (const auto& f : files) configs.push_back(tessera::load_derived(f));
  return configs;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tessera;
  try {
    const std::string cmd = argc > 1 ? argv[1] : "";
    if (cmd == "sv") {
      auto o = options(argc, argv, {"config", "out"});
      gen::write_files(o["out"], gen::hw_packages(load_derived(o["config"])));
    } else if (cmd == "docs") {
      auto o = options(argc, argv, {"configs", "out"});
      gen::write_files(o["out"], gen::reference_docs(load_all(o["configs"])));
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
