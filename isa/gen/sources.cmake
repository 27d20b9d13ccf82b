# Sources of tessera_gen, shared by the main build and the configure-time bootstrap build.
set(TESSERA_GEN_SOURCES
  main.cc
  derived_params.cc
  docs.cc
  docs_isa.cc
  docs_params.cc
  generated_file.cc
  hw_packages.cc
  regs_table.cc
)
# The parts of tessera_isa the tool needs; the bootstrap build compiles them itself.
set(TESSERA_GEN_ISA_SOURCES config.cc layout.cc)
