# Writes OUTPUT: a C++ file defining SYMBOL as a string_view over the bytes of INPUT.
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE ${OUTPUT}
  "#include <string_view>\n"
  "namespace citypulse::embedded { namespace { const char bytes[] = {${bytes} 0}; }\n"
  "extern const std::string_view ${SYMBOL};\n"
  "const std::string_view ${SYMBOL}{bytes, ${size}};\n}\n")
