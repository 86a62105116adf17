print("funnel")
