"""Public addresses. Pages are under a language prefix (/en/, /ru/, /zh-hans/; a bare address is
redirected by the reader's Accept-Language); files and feeds are the same in every language."""

from django.urls import path

from pledges.public import feeds, following, views

pages = [
    path("", views.pledge_list, name="list"),
    path("about/", views.about, name="about"),
    path("changes/", views.changes_log, name="changes"),
    path("pledges/<slug:slug>/", views.pledge_detail, name="detail"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("countries/<str:code>/", views.country_detail, name="country"),
    path("embed/pledges/<slug:slug>/", views.pledge_embed, name="embed"),
    path("pledges/<slug:slug>/card.png", views.pledge_card, name="card"),
    path("card.png", views.site_card, name="site_card"),
    path("subscribe/", following.subscribe, name="subscribe"),
    path("subscriptions/<str:token>/confirm/", following.confirm, name="subscription_confirm"),
    path("subscriptions/<str:token>/unsubscribe/", following.unsubscribe, name="unsubscribe"),
]

files = [
    path("pledges.csv", views.pledges_csv, name="csv"),
    path("pledges.json", views.pledges_json, name="json"),
    path("deadlines.ics", views.deadlines_ics, name="ics"),
    path("feed/", views.cached_feed(feeds.UpdatesFeed()), name="feed"),
    path("feed/changes/", views.cached_feed(feeds.ChangesFeed()), name="changes_feed"),
    path("pledges/<slug:slug>/feed/", views.cached_feed(feeds.PledgeUpdatesFeed()), name="pledge_feed"),
]
