// Sub-command registration for the tessera CLI: each cmd_*.cc adds its sub-commands to the app.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace tessera::cli {

void add_config_commands(CLI::App& app);
void add_program_commands(CLI::App& app);
void add_run_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_compile_command(CLI::App& app);
void add_search_command(CLI::App& app);
void add_regress_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_export_vta_command(CLI::App& app);

// The file name (without .npy) under which a tensor is dumped: path separators become '_'.
std::string tensor_file_name(const std::string& tensor);

}  // namespace tessera::cli
