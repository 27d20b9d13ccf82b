# Every third-party dependency comes from a Debian package through find_package; nothing is vendored.
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(Threads REQUIRED)
# libonnx-dev's config imports onnx_proto linked to protobuf::libprotobuf, so Protobuf comes first.
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED)
