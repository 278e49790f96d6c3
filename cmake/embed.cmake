# embed_file(<target> <input> <symbol>): compiles the bytes of <input> into <target>
# as `extern const std::string_view <symbol>` (declared by whoever uses it).
function(embed_file target input symbol)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DOUTPUT=${out} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    DEPENDS ${input} ${PROJECT_SOURCE_DIR}/cmake/embed_run.cmake
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
