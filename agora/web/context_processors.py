def agora(request):
    return {}
