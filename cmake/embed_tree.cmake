# embed_tree(<target> <dir> <symbol>): compiles every file below <dir> into
# <target> as `extern const EmbeddedFile <symbol>[]` and
# `extern const std::size_t <symbol>_count` (api/embedded_files.h), each named
# by its path below <dir> with a leading "/". The folder is read at every
# build (its file names change from build to build, as the web UI's hashed
# assets do); the generated source is only rewritten when it changes. A
# missing folder embeds nothing.
function(embed_tree target dir symbol)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp)
  add_custom_target(${symbol}_embedding
    COMMAND ${CMAKE_COMMAND} -DDIR=${dir} -DOUTPUT=${out} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_tree_run.cmake
    BYPRODUCTS ${out}
    COMMENT "Embedding ${dir}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
  add_dependencies(${target} ${symbol}_embedding)
endfunction()
