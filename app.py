from xeroapp import create_app

app = create_app()
