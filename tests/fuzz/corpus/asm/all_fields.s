ÅLOAD memory_type=ACC_8BIT sram_base=0xff dram_base=0xffffffff y_size=65535 x_size=1 x_stride=0x10 y_pad_0=15 y_pad_1=1 x_pad_0=2 x_pad_1=3 pop_next push_next
ALU alu_op=MUL imm=-32768 use_imm
ALU alu_op=7 src_factor_out=3
STORE memory_type=OUT pop_prev push_prev
FINISH pop_prev
