from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self):
        from clinic import pagecache

        from .models import Article, ArticleAuthor, Author, Reference, Treatment

        # What the public pages show: any write to these retires the cached pages (clinic.pagecache).
        pagecache.retire_on_writes(Article, ArticleAuthor, Author, Reference, Treatment)
