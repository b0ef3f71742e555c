window.YTD.profile.part0 = [
  {
    "profile" : {
      "description" : {
        "bio" : "Invented account for tagscope tests.",
        "website" : "",
        "location" : "Nowhere"
      },
      "avatarMediaUrl" : ""
    }
  }
]