window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "owner@example.org",
      "createdVia" : "web",
      "username" : "ts_example",
      "accountId" : "1590000000000000001",
      "createdAt" : "2012-03-01T09:00:00.000Z",
      "accountDisplayName" : "Example Archive Owner"
    }
  }
]