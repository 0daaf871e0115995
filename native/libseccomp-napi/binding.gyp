{
  "targets": [
    {
      "target_name": "libseccomp_napi",
      "product_name": "libseccomp_napi",
      "product_prefix": "",
      "sources": [
        "src/addon.cc",
        "src/args.cc",
        "src/resolve.cc",
        "src/compile.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags_cc!": ["-std=gnu++14", "-std=gnu++17"],
      "libraries": ["-lseccomp"]
    }
  ]
}
