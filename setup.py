"""Build of the one native module, ``tagscope._native`` (ingest's line scanning and v1.1 mapping; see native/).

Optional: where it cannot be compiled, tagscope installs without it (v1.1 lines are then mapped by DuckDB,
and lines are found by numpy).
Everything else about the package is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "tagscope._native",
            sources=["native/module.cpp", "native/lines.cpp", "native/v1map.cpp", "native/v2map.cpp", "native/simdjson/simdjson.cpp"],
            include_dirs=["native/simdjson"],
            language="c++",
            # simdjson picks its SIMD kernels at run time: no -march, so the build runs on any x86-64/ARM64.
            extra_compile_args=["-std=c++17", "-O3", "-DNDEBUG", "-fvisibility=hidden"],
            optional=True,
        )
    ]
)
