# Finds the libraries Strata's code calls, LZ4 and xxHash, and defines the imported targets
# strata::lz4 and strata::xxhash for them. Used by the build (CMakeLists.txt) and by the
# installed package (strataConfig.cmake), so that a consumer of the exported static library
# resolves exactly the names its link interface uses, from whatever prefix it was installed
# to. pkg-config, when present, only supplies search hints: a consumer needs no pkg-config.
#
# Sets strata_DEPENDENCIES_FOUND to TRUE or FALSE and, when FALSE,
# strata_DEPENDENCIES_MISSING to the names of what was not found.
include_guard(GLOBAL)

find_package(PkgConfig QUIET)

set(strata_DEPENDENCIES_FOUND TRUE)
set(strata_DEPENDENCIES_MISSING)

# strata_import_dependency(<target> <pkg-config module> <header> <library name>)
function(strata_import_dependency target module header library)
  if(TARGET ${target})
    return()
  endif()
  string(MAKE_C_IDENTIFIER "STRATA_DEP_${module}" var)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(${var}_PC QUIET ${module})
  endif()
  find_path(${var}_INCLUDE_DIR ${header} HINTS ${${var}_PC_INCLUDE_DIRS})
  find_library(${var}_LIBRARY ${library} HINTS ${${var}_PC_LIBRARY_DIRS})
  if(NOT ${var}_INCLUDE_DIR OR NOT ${var}_LIBRARY)
    set(strata_DEPENDENCIES_FOUND FALSE PARENT_SCOPE)
    set(strata_DEPENDENCIES_MISSING ${strata_DEPENDENCIES_MISSING} ${module} PARENT_SCOPE)
    return()
  endif()
  add_library(${target} UNKNOWN IMPORTED)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${${var}_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${${var}_INCLUDE_DIR}")
endfunction()

strata_import_dependency(strata::lz4 liblz4 lz4.h lz4)
strata_import_dependency(strata::xxhash libxxhash xxhash.h xxhash)
