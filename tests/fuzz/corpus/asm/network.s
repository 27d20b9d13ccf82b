# a two-step network: a GEMM layer, an ALU layer on its internal output, a host Softmax to float32
.dram_bytes 4096
.uop_offset 1024
.uop dst_idx=0 src_idx=0 wgt_idx=0
.uop dst_idx=1 src_idx=1 wgt_idx=0
.const 2048
.bytes 000102030405060708090a0b0c0d0e0f
.tensor input x dtype=int8 shape=1x16 layout=NC offset=0 bytes=16 scale=0.5 zero_point=-1
.tensor output y dtype=int8 shape=1x16 layout=NC offset=512 scale=0.25
.tensor internal h dtype=int8 shape=1x16 layout=NC1n16c offset=1536 scale=0.25
.tensor output p dtype=float32 shape=1x16 layout=NC offset=3072
.step accel gemm0 op=dense begin=0 end=10 inputs=x outputs=y @macs=256 @predicted_cycles=40
.step accel relu0 op=add begin=10 end=12 inputs=y outputs=h
.step host softmax0 op=Softmax inputs=h outputs=p @axis=-1
LOAD memory_type=UOP dram_base=256 y_size=1 x_size=2 x_stride=2
LOAD memory_type=INP y_size=1 x_size=1 x_stride=1 y_pad_0=1 x_pad_1=2 push_next
LOAD memory_type=WGT dram_base=8 y_size=1 x_size=1 x_stride=1 push_next
GEMM uop_end=2 iter_out=1 iter_in=1 reset
GEMM uop_end=2 iter_out=1 iter_in=1 dst_factor_in=1 pop_prev
GEMM uop_end=1 iter_out=2 iter_in=3 wgt_factor_out=1 src_factor_in=1 pop_prev push_next
ALU uop_end=1 iter_out=1 iter_in=1 alu_op=SHR use_imm imm=-3
STORE memory_type=OUT dram_base=32 y_size=1 x_size=1 x_stride=1 pop_prev push_prev
GEMM pop_next
FINISH
ALU uop_end=1 iter_out=1 iter_in=1 alu_op=MAX use_imm
FINISH
