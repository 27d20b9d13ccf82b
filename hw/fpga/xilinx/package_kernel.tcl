# Packages tessera as a Vitis RTL kernel (.xo). Needs Vivado (not available on the development machine,
# so this script is unexercised here). Run from a configured build tree:
#   vivado -mode batch -source hw/fpga/xilinx/package_kernel.tcl -tclargs <gen_dir> <out_dir> [clock_mhz]
# <gen_dir> is build/gen/<cfg> (the generated packages). kernel.xml is written from the register
# package, so the argument offsets come from hw/regs.def and are never typed here.
set gen_dir [lindex $argv 0]
set out_dir [lindex $argv 1]
set clock_mhz [expr {[llength $argv] > 2 ? [lindex $argv 2] : 100}]
set clock_ns [format %.3f [expr {1000.0 / $clock_mhz}]]
set here [file dirname [file normalize [info script]]]
set hw [file normalize $here/../..]
file mkdir $out_dir

proc reg_offset {pkg name} {
  set f [open $pkg]; set text [read $f]; close $f
  if {![regexp "localparam int REG_${name}_OFFSET = 'h(\[0-9a-fA-F\]+);" $text -> hex]} {
    error "package_kernel.tcl: REG_${name}_OFFSET not found in $pkg"
  }
  return [format 0x%x [expr 0x$hex]]
}
set regs $gen_dir/tessera_regs_pkg.sv
set kxml [open $out_dir/kernel.xml w]
puts $kxml "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<root versionMajor=\"1\" versionMinor=\"6\">
  <kernel name=\"tessera_vitis_kernel\" language=\"ip_c\" vlnv=\"tessera:kernel:tessera_vitis_kernel:1.0\"
          attributes=\"\" preferredWorkGroupSizeMultiple=\"0\" workGroupSize=\"1\" interrupt=\"true\">
    <ports>
      <port name=\"s_axi_control\" mode=\"slave\" range=\"0x1000\" dataWidth=\"32\" portType=\"addressable\" base=\"0x0\"/>
      <port name=\"m_axi_gmem\" mode=\"master\" range=\"0xFFFFFFFFFFFFFFFF\" dataWidth=\"[expr {[exec sed -n {s/.*AXI_DATA_BITS = \([0-9]*\);.*/\1/p} $gen_dir/tessera_params_pkg.sv]}]\" portType=\"addressable\" base=\"0x0\"/>
    </ports>
    <args>
      <arg name=\"insn_count\" addressQualifier=\"0\" id=\"0\" port=\"s_axi_control\" size=\"0x4\" offset=\"[reg_offset $regs INSN_COUNT]\" type=\"uint\" hostOffset=\"0x0\" hostSize=\"0x4\"/>
      <arg name=\"insn_addr\" addressQualifier=\"1\" id=\"1\" port=\"m_axi_gmem\" size=\"0x8\" offset=\"[reg_offset $regs INSN_ADDR_LO]\" type=\"void*\" hostOffset=\"0x0\" hostSize=\"0x8\"/>
      <arg name=\"data_addr\" addressQualifier=\"1\" id=\"2\" port=\"m_axi_gmem\" size=\"0x8\" offset=\"[reg_offset $regs DATA_ADDR_LO]\" type=\"void*\" hostOffset=\"0x0\" hostSize=\"0x8\"/>
    </args>
  </kernel>
</root>"
close $kxml

create_project -force tessera_kernel $out_dir/project
set sources [list $gen_dir/tessera_params_pkg.sv $gen_dir/tessera_isa_pkg.sv $gen_dir/tessera_regs_pkg.sv]
foreach f [glob $hw/prim/*.sv $hw/rtl/*.sv $here/tessera_vitis_kernel.sv] { lappend sources $f }
add_files -norecurse $sources
add_files -norecurse $hw/prim/tessera_assert.svh
set_property include_dirs [list $hw/prim] [current_fileset]
set_property top tessera_vitis_kernel [current_fileset]
set xdc [open $out_dir/tessera_kernel.xdc w]
puts $xdc "create_clock -period $clock_ns -name ap_clk \[get_ports ap_clk\]"
close $xdc
add_files -fileset constrs_1 -norecurse $out_dir/tessera_kernel.xdc
update_compile_order -fileset sources_1

ipx::package_project -root_dir $out_dir/ip -vendor tessera -library kernel -taxonomy /KernelIP -import_files -set_current false
ipx::unload_core $out_dir/ip/component.xml
ipx::edit_ip_in_project -upgrade true -name tmp_edit_project -directory $out_dir/ip $out_dir/ip/component.xml
set core [ipx::current_core]
set_property sdx_kernel true $core
set_property sdx_kernel_type rtl $core
ipx::associate_bus_interfaces -busif s_axi_control -clock ap_clk $core
ipx::associate_bus_interfaces -busif m_axi_gmem -clock ap_clk $core
ipx::infer_bus_interface interrupt xilinx.com:signal:interrupt_rtl:1.0 $core
ipx::update_checksums $core
ipx::save_core $core
close_project -delete
package_xo -force -xo_path $out_dir/tessera.xo -kernel_name tessera_vitis_kernel -ip_directory $out_dir/ip \
  -kernel_xml $out_dir/kernel.xml
