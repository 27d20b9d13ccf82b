# Sources of tessera_gen, built by the nested bootstrap build (see isa/gen/CMakeLists.txt).
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
# The parts of isa/ the tool needs (the bootstrap build does not see the tessera_isa target).
set(TESSERA_GEN_ISA_SOURCES config.cc layout.cc)
