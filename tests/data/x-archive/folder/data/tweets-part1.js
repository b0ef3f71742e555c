window.YTD.tweets.part1 = [
  {
    "tweet" : {
      "edit_info" : {
        "initial" : {
          "editTweetIds" : [
            "1600000000000000005",
            "1600000000000000006"
          ],
          "editableUntil" : "2014-05-26T13:00:00.000Z",
          "editsRemaining" : "4",
          "isEditEligible" : true
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "24"
      ],
      "favorite_count" : "0",
      "id_str" : "1600000000000000005",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1600000000000000005",
      "created_at" : "Mon May 26 12:00:00 +0000 2014",
      "favorited" : false,
      "full_text" : "Frist draft of a thought",
      "lang" : "en"
    }
  },
  {
    "tweet" : {
      "edit_info" : {
        "edit" : {
          "initialTweetId" : "1600000000000000005",
          "editControlInitial" : {
            "editTweetIds" : [
              "1600000000000000005",
              "1600000000000000006"
            ],
            "editableUntil" : "2014-05-26T13:00:00.000Z",
            "editsRemaining" : "4",
            "isEditEligible" : true
          }
        }
      },
      "retweeted" : false,
      "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
      "entities" : {
        "hashtags" : [],
        "symbols" : [],
        "user_mentions" : [],
        "urls" : []
      },
      "display_text_range" : [
        "0",
        "24"
      ],
      "favorite_count" : "0",
      "id_str" : "1600000000000000006",
      "truncated" : false,
      "retweet_count" : "0",
      "id" : "1600000000000000006",
      "created_at" : "Mon May 26 12:03:00 +0000 2014",
      "favorited" : false,
      "full_text" : "First draft of a thought",
      "lang" : "en"
    }
  }
]