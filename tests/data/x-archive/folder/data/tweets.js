window.YTD.tweets.part0 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1600000000000000001"
          ],
          "editableUntil" : "2014-05-24T11:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "YesAllWomen",
            "indices" : [
              "0",
              "12"
            ]
          },
          {
            "text" : "NotAllMen",
            "indices" : [
              "0",
              "10"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "230"
      ],
      "favorite_count" : "12",
      "id_str" : "1600000000000000001",
      "truncated" : false,
      "retweet_count" : "3",
      "id" : "1600000000000000001",
      "created_at" : "Sat May 24 10:00:00 +0000 2014",
      "favorited" : false,
      "full_text" : "Every woman I know has a story about being followed home, grabbed, or threatened. Every one. That is the point of #YesAllWomen, and it is why the replies telling us #NotAllMen miss it entirely. Read the thread, then read it again.",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1600000000000000002"
          ],
          "editableUntil" : "2014-05-24T11:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "YesAllWomen",
            "indices" : [
              "0",
              "12"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Other_Voice",
            "screen_name" : "other_voice",
            "indices" : [
              "0",
              "9"
            ],
            "id_str" : "1590000000000000002",
            "id" : "1590000000000000002"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "37"
      ],
      "favorite_count" : "0",
      "id_str" : "1600000000000000002",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1600000000000000002",
      "created_at" : "Sat May 24 10:05:00 +0000 2014",
      "favorited" : false,
      "full_text" : "@other_voice I hear you. #YesAllWomen",
      "lang" : "en",
      "in_reply_to_status_id_str" : "1600000000000000000",
      "in_reply_to_status_id" : "1600000000000000000",
      "in_reply_to_user_id" : "1590000000000000002",
      "in_reply_to_user_id_str" : "1590000000000000002",
      "in_reply_to_screen_name" : "other_voice"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1600000000000000003"
          ],
          "editableUntil" : "2014-05-24T11:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "YesAllWomen",
            "indices" : [
              "0",
              "12"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [
          {
            "name" : "Campaign_Voice",
            "screen_name" : "campaign_voice",
            "indices" : [
              "0",
              "9"
            ],
            "id_str" : "1590000000000000003",
            "id" : "1590000000000000003"
          }
        ],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "134"
      ],
      "favorite_count" : "0",
      "id_str" : "1600000000000000003",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1600000000000000003",
      "created_at" : "Sun May 25 08:00:00 +0000 2014",
      "favorited" : false,
      "full_text" : "RT @campaign_voice: Women are telling their stories under #YesAllWomen and the numbers are staggering: over a million posts in four d…",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1600000000000000004"
          ],
          "editableUntil" : "2014-05-24T11:00:00.000Z",
          "editsRemaining" : "5",
          "isEditEligible" : false
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [
          {
            "text" : "yesallwomen",
            "indices" : [
              "0",
              "12"
            ]
          }
        ],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : [
          {
            "url" : "https://t.co/abc0",
            "expanded_url" : "https://www.example.org/report",
            "display_url" : "www.example.org/repo",
            "indices" : [
              "10",
              "33"
            ]
          }
        ]
      },
      "display_text_range" : [
        "0",
        "49"
      ],
      "favorite_count" : "4",
      "id_str" : "1600000000000000004",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1600000000000000004",
      "created_at" : "Sun May 25 09:30:00 +0000 2014",
      "favorited" : false,
      "full_text" : "The report is out: https://t.co/abc0 #yesallwomen",
      "lang" : "en"
    }
  }
]