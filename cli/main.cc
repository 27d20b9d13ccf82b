// Entry point of the tessera CLI: parses the command line and reports errors without stack traces.
#include <exception>
#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"tessera: VTA-style accelerator co-design stack (configs, ISA, simulators, compiler)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tessera 0.1.0");
  tessera::cli::add_config_commands(app);
  tessera::cli::add_program_commands(app);
  tessera::cli::add_run_command(app);
  tessera::cli::add_compare_command(app);
  tessera::cli::add_compile_command(app);
  tessera::cli::add_search_command(app);
  tessera::cli::add_regress_command(app);
  tessera::cli::add_sweep_command(app);
  tessera::cli::add_export_vta_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "tessera: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
