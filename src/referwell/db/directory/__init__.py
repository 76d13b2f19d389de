"""The provider directory in the practice database: entries, their organizations, services,
locations and telehealth licences, and the imports that wrote them."""
