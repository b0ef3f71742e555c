// tagscope._native: the parts of ingest that run in C++ (built by setup.py; optional, see
// formats/twitter/v1_native.py and store/sql_lines.py for the Python they stand in for).

#include "native.h"

namespace {

PyMethodDef METHODS[] = {
    {"map_v1", tagscope_map_v1, METH_VARARGS,
     "map_v1(block, starts, ends) -> {column: Arrow buffers}: v1.1 statuses, one row a line."},
    {"map_v2", tagscope_map_v2, METH_VARARGS,
     "map_v2(block, starts, ends) -> {column: Arrow buffers}: twarc2 pages, rows of (line, position)."},
    {"line_spans", tagscope_line_spans, METH_VARARGS,
     "line_spans(block, first_line) -> (starts, ends, numbers): int64 buffers of the non-blank lines."},
    {"count_lines", tagscope_count_lines, METH_VARARGS, "count_lines(block) -> how many b'\\n' it holds."},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "_native", "The parts of tagscope's ingest written in C++ (see native/).",
                      -1, METHODS, nullptr, nullptr, nullptr, nullptr};

}  // namespace

PyMODINIT_FUNC PyInit__native(void) { return PyModule_Create(&MODULE); }
