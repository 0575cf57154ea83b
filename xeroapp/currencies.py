"""The currencies the app offers: a workspace's default, an invoice's currency, and the
organisation currency a Xero connection may adopt."""

# ISO 4217 codes offered as a workspace's default currency (all are Xero-supported).
CURRENCIES = {
    "AUD": "Australian dollar",
    "CAD": "Canadian dollar",
    "CHF": "Swiss franc",
    "CNY": "Chinese yuan",
    "DKK": "Danish krone",
    "EUR": "Euro",
    "FJD": "Fijian dollar",
    "GBP": "British pound",
    "HKD": "Hong Kong dollar",
    "INR": "Indian rupee",
    "JPY": "Japanese yen",
    "MYR": "Malaysian ringgit",
    "NOK": "Norwegian krone",
    "NZD": "New Zealand dollar",
    "PHP": "Philippine peso",
    "SEK": "Swedish krona",
    "SGD": "Singapore dollar",
    "THB": "Thai baht",
    "USD": "US dollar",
    "ZAR": "South African rand",
}
