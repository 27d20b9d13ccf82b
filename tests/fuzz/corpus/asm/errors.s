#x
LAOD y=1
LOAD y_size=70000 y_size=1
.tensor input
.const 0
.bytes 0g
.uop dst_idx=-1
GEMM memory_type=INP
