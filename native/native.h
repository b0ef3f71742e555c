// The functions of tagscope._native (module.cpp), each defined in the file named for its job.
#pragma once
#define PY_SSIZE_T_CLEAN
#include <Python.h>

PyObject* tagscope_map_v1(PyObject* self, PyObject* args);       // v1map.cpp
PyObject* tagscope_map_v2(PyObject* self, PyObject* args);       // v2map.cpp
PyObject* tagscope_line_spans(PyObject* self, PyObject* args);   // lines.cpp
PyObject* tagscope_count_lines(PyObject* self, PyObject* args);  // lines.cpp
