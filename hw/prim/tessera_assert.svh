// Assertion macros: elaboration-time parameter checks (Verilator, Yosys and Vivado all honour them)
// and simulation-only run-time checks that synthesis never sees.
`ifndef TESSERA_ASSERT_SVH
`define TESSERA_ASSERT_SVH

// Parameter legality, used in a module body: fails elaboration with MSG when COND is false.
`define TESSERA_STATIC_ASSERT(NAME, COND, MSG) \
  if (!(COND)) begin : NAME                    \
    $error(MSG);                               \
  end

// A property that must hold at every rising clock edge out of reset (simulation only).
`ifndef SYNTHESIS
`define TESSERA_ASSERT(NAME, PROP, CLK, RST_N) \
  NAME: assert property (@(posedge CLK) disable iff (!(RST_N)) (PROP));
`else
`define TESSERA_ASSERT(NAME, PROP, CLK, RST_N)
`endif

`endif
