"""Build of the one native module, ``tagscope._v1map`` (the v1.1 mapping over simdjson; see native/).

Optional: where it cannot be compiled, tagscope installs without it and maps v1.1 lines with DuckDB.
Everything else about the package is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "tagscope._v1map",
            sources=["native/v1map.cpp", "native/simdjson/simdjson.cpp"],
            include_dirs=["native/simdjson"],
            language="c++",
            # simdjson picks its SIMD kernels at run time: no -march, so the build runs on any x86-64/ARM64.
            extra_compile_args=["-std=c++17", "-O3", "-DNDEBUG", "-fvisibility=hidden"],
            optional=True,
        )
    ]
)
