# db_bench's runner as a static library, strata_db_bench_lib, linked by the db_bench
# executable (bench/CMakeLists.txt) and by tests/db_bench_test.cc; included from both folders
# (whichever comes first defines it), so the test builds even without the bench folder.
#
# The LevelDB and RocksDB back ends are compiled in only when their libraries are found
# (libleveldb-dev, librocksdb-dev); the build works without them. Re-run cmake after
# installing one: a library not found before is searched for again.
include_guard(GLOBAL)

find_package(gflags REQUIRED)

set(_db_bench_dir ${PROJECT_SOURCE_DIR}/bench)
add_library(strata_db_bench_lib STATIC
  ${_db_bench_dir}/db_bench_data.cc
  ${_db_bench_dir}/db_bench_engine.cc
  ${_db_bench_dir}/db_bench_flags.cc
  ${_db_bench_dir}/db_bench_report.cc
  ${_db_bench_dir}/db_bench_runner.cc
  ${_db_bench_dir}/db_bench_strata.cc
  ${_db_bench_dir}/db_bench_workloads.cc)
target_include_directories(strata_db_bench_lib PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(strata_db_bench_lib PUBLIC strata gflags Threads::Threads)
target_compile_definitions(strata_db_bench_lib PRIVATE
  STRATA_VERSION_STRING="${PROJECT_VERSION}")

# ThreadSanitizer cannot see the synchronisation inside the uninstrumented Debian libraries
# and reports races in them that are not there: TSan builds leave both back ends out.
set(_db_bench_comparisons ON)
if(CMAKE_CXX_FLAGS MATCHES "sanitize=thread")
  set(_db_bench_comparisons OFF)
  message(STATUS "db_bench: ThreadSanitizer build, no LevelDB or RocksDB back end")
endif()

find_path(LEVELDB_INCLUDE_DIR leveldb/db.h)
find_library(LEVELDB_LIBRARY leveldb)
if(NOT _db_bench_comparisons)
elseif(LEVELDB_INCLUDE_DIR AND LEVELDB_LIBRARY)
  message(STATUS "db_bench: --engine=leveldb with ${LEVELDB_LIBRARY}")
  target_sources(strata_db_bench_lib PRIVATE ${_db_bench_dir}/db_bench_leveldb.cc)
  target_include_directories(strata_db_bench_lib PRIVATE ${LEVELDB_INCLUDE_DIR})
  target_compile_definitions(strata_db_bench_lib PUBLIC STRATA_HAVE_LEVELDB)
  target_link_libraries(strata_db_bench_lib PRIVATE ${LEVELDB_LIBRARY})
else()
  message(STATUS "db_bench: LevelDB not found (libleveldb-dev): no --engine=leveldb")
endif()

find_path(ROCKSDB_INCLUDE_DIR rocksdb/db.h)
find_library(ROCKSDB_LIBRARY rocksdb)
if(NOT _db_bench_comparisons)
elseif(ROCKSDB_INCLUDE_DIR AND ROCKSDB_LIBRARY)
  message(STATUS "db_bench: --engine=rocksdb with ${ROCKSDB_LIBRARY}")
  target_sources(strata_db_bench_lib PRIVATE ${_db_bench_dir}/db_bench_rocksdb.cc)
  target_include_directories(strata_db_bench_lib PRIVATE ${ROCKSDB_INCLUDE_DIR})
  target_compile_definitions(strata_db_bench_lib PUBLIC STRATA_HAVE_ROCKSDB)
  target_link_libraries(strata_db_bench_lib PRIVATE ${ROCKSDB_LIBRARY})
  # A library that calls __assert_fail was built without NDEBUG (Debian's is): the header
  # says so, since its figures are slower than a release build's.
  if(CMAKE_NM)
    execute_process(COMMAND ${CMAKE_NM} -D --undefined-only ${ROCKSDB_LIBRARY}
      OUTPUT_VARIABLE _rocksdb_undefined ERROR_QUIET)
    if(_rocksdb_undefined MATCHES "__assert_fail")
      target_compile_definitions(strata_db_bench_lib PRIVATE STRATA_ROCKSDB_HAS_ASSERTS)
    endif()
  endif()
else()
  message(STATUS "db_bench: RocksDB not found (librocksdb-dev): no --engine=rocksdb")
endif()
